from . import test_portal_settings
