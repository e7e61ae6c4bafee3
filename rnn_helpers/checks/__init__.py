"""Self-checks for the notebooks' exercises, one module per notebook.

Every check computes the expected answer with the package (and never prints it), names the
classic mistake a wrong answer matches, prints one line and returns True or False.
``from rnn_helpers import checks``; then ``checks.<name>(...)`` for any check of any notebook.
"""

from .core import *  # noqa: F403
from .nb01 import *  # noqa: F403
from .nb02 import *  # noqa: F403
from .nb03 import *  # noqa: F403
from .nb04 import *  # noqa: F403
from .nb05 import *  # noqa: F403
from .nb06 import *  # noqa: F403
from .nb07 import *  # noqa: F403
from .nb08 import *  # noqa: F403
