from . import test_portal_subscriptions
from . import test_accessibility
