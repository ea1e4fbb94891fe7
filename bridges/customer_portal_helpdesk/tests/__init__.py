from . import test_helpdesk_models
from . import test_portal_tickets
from . import test_accessibility
