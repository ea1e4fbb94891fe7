from . import test_shipment_models
from . import test_portal_shipments
from . import test_accessibility
