from . import account_move
from . import account_payment
from . import customer_portal_demo
from . import payment_transaction
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_users
