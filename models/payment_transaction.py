from odoo import models


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'
