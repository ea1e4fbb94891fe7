from . import contract_contract
from . import contract_line
from . import res_company
from . import res_config_settings
