from . import test_timesheet_models
from . import test_portal_project_hours
from . import test_accessibility
