from odoo import models


class CustomerPortalDemo(models.AbstractModel):
    _name = 'customer_portal.demo'
    _description = "Customer Portal Demo Data"
