from . import portal
from . import mfa
from . import payment
from . import portal_payment
from . import portal_account
from . import home
from . import statement
from . import portal_security
