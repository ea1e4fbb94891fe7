from odoo import fields, models


class CustomerPortalShareLinkOpen(models.Model):
    """One opening of a document through a recipient's link (issue 11, item 2): when and from where."""

    _name = 'customer_portal.share.link.open'
    _description = "Opening of a Document Link"
    _order = 'open_date desc, id desc'
    _log_access = False  # rows are only inserted, by link._log_open(); open_date says when

    link_id = fields.Many2one(
        'customer_portal.share.link', required=True, readonly=True, ondelete='cascade', index=True
    )
    email = fields.Char(related='link_id.email', string="Recipient")
    open_date = fields.Datetime(string="Opened On", required=True, readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
