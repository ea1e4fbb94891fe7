from . import account_analytic_line
from . import account_move_line
from . import project_project
from . import res_company
from . import res_config_settings
from . import sale_order_line
