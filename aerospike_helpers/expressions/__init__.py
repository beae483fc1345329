"""The expression builder of the current official API: ``from aerospike_helpers import expressions as exp``.

Build an expression from these classes and pass ``expr.compile()`` as a policy's ``'expressions'`` (a filter)
or to ``aerospike_helpers.operations.expression_operations`` (a read or write).
"""

from .arithmetic import *  # noqa: F401, F403
from .base import *  # noqa: F401, F403
from .bitwise import *  # noqa: F401, F403
from .bitwise_operators import *  # noqa: F401, F403
from .hll import *  # noqa: F401, F403
from .list import *  # noqa: F401, F403
from .map import *  # noqa: F401, F403
from .resources import ResultType  # noqa: F401
from .string import *  # noqa: F401, F403
