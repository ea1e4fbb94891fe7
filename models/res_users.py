from odoo import models


class ResUsers(models.Model):
    _inherit = 'res.users'
