from . import test_subscription_models
from . import test_portal_subscriptions
from . import test_accessibility
