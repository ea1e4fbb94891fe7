from . import helpdesk_ticket
from . import ir_http
from . import res_company
from . import res_config_settings
