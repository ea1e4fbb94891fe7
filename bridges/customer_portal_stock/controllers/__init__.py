from . import shipments
from . import sale_orders
from . import home
