from . import contracts
from . import home
from . import invoices
