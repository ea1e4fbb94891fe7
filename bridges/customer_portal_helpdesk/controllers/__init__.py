from . import attachment
from . import helpdesk
from . import home
