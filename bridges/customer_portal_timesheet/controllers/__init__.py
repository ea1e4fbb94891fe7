from . import home
from . import project
