from odoo import api, fields, models


class SaleOrder(models.Model):
    _name = 'sale.order'
    _inherit = ['sale.order', 'customer_portal.document.view.mixin', 'customer_portal.document.share.mixin']

    portal_declined_on = fields.Datetime(
        string="Declined by Customer On",
        readonly=True,
        copy=False,
        help="When the customer declined this quotation from the portal (the reason is in the chatter).",
    )

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        # EXTENDS sale: each external recipient of a sent quotation or order gets a button with their own
        # link (issue 11), before stock's groups that give everyone the document's token.
        groups = super()._notify_get_recipients_groups(message, model_description, msg_vals=msg_vals)
        return self._portal_share_link_groups(message, msg_vals) + groups

    # ------------------------------------------------------------
    # Sales orders (P12, C8)
    # ------------------------------------------------------------

    def _has_to_be_signed(self):
        # EXTENDS sale: no Accept or Decline button for a contact who may not answer estimates (A9).
        return super()._has_to_be_signed() and self.env['res.partner']._portal_user_may('approve')

    def _portal_may_pay(self):
        """Whether the portal's user may pay this document (A9): pay, and answer it while a quotation."""
        self.ensure_one()
        Partner = self.env['res.partner']
        quotation = self.state in ('draft', 'sent')
        return Partner._portal_user_may('pay') and (not quotation or Partner._portal_user_may('approve'))

    def _is_portal_order_shown(self):
        """Whether the customer may see this document in the portal: a quotation always, a sales
        order (state 'sale') only while its company lets customers view sales orders (P12)."""
        self.ensure_one()
        return self.state != 'sale' or bool(self.company_id.sudo().portal_show_sales_orders)

    @api.model
    def _get_portal_not_invoiced_domain(self):
        """Sales orders with something left to invoice ("Not Invoiced", "To Invoice")."""
        return [('state', '=', 'sale'), ('invoice_status', '=', 'to invoice')]

    @api.model
    def _get_portal_fully_invoiced_domain(self):
        """Sales orders invoiced in full ("Fully Invoiced")."""
        return [('state', '=', 'sale'), ('invoice_status', '=', 'invoiced')]

    @api.model
    def _get_portal_delivered_domain(self):
        """Sales orders delivered in full ("Delivered"), or None when no installed app delivers
        orders (sale_stock's stored ``delivery_status``)."""
        field = self._fields.get('delivery_status')
        if not field or not field.store or field.type != 'selection':
            return None
        return [('state', '=', 'sale'), ('delivery_status', '=', 'full')]

    def _get_portal_invoices(self):
        """The invoices of these orders the customer may open: posted ones, newest first (as the
        stock order page lists them)."""
        return self.invoice_ids.filtered(lambda move: move.state == 'posted').sorted(
            lambda move: (move.invoice_date or move.date, move.id), reverse=True
        )

    # ------------------------------------------------------------
    # Estimates: the quotations a customer answers (C9)
    # ------------------------------------------------------------

    @api.model
    def _get_portal_estimates_domain(self):
        """Every quotation the customer received, whatever their answer: sent, accepted (now a
        sales order) or declined / cancelled."""
        return [('state', 'in', ('sent', 'sale', 'cancel'))]

    @api.model
    def _get_portal_awaiting_answer_domain(self):
        """Quotations sent to the customer and not expired ("Awaiting answer", the home count)."""
        return [
            ('state', '=', 'sent'),
            '|',
            ('validity_date', '=', False),
            ('validity_date', '>=', fields.Date.today()),
        ]

    @api.model
    def _get_portal_accepted_domain(self):
        """Quotations the customer (or the business for them) accepted: now sales orders."""
        return [('state', '=', 'sale')]

    @api.model
    def _get_portal_declined_domain(self):
        """Quotations the customer declined from the portal (not those the business cancelled)."""
        return [('state', '=', 'cancel'), ('portal_declined_on', '!=', False)]

    @api.model
    def _get_portal_expired_domain(self):
        """Quotations sent and past their expiration date, unanswered (stock's "Expired" badge)."""
        return [('state', '=', 'sent'), ('validity_date', '<', fields.Date.today())]

    @api.model
    def _get_portal_estimate_status_domains(self):
        """The domain of each answer, by the key of its /my/quotes filter."""
        return {
            'awaiting': self._get_portal_awaiting_answer_domain(),
            'accepted': self._get_portal_accepted_domain(),
            'declined': self._get_portal_declined_domain(),
            'expired': self._get_portal_expired_domain(),
        }

    def _get_portal_estimate_statuses(self):
        """The answer of each quotation of ``self`` (``{id: key}``, a key of
        ``_get_portal_estimate_status_domains``; no key for one the business cancelled), from the
        values already read: no query per quotation."""
        statuses = {}
        for status, domain in self._get_portal_estimate_status_domains().items():
            for order in self.filtered_domain(domain):
                statuses.setdefault(order.id, status)
        return statuses

    # ------------------------------------------------------------
    # Declining a quotation (C9)
    # ------------------------------------------------------------

    def _prepare_portal_decline(self):
        """Before the customer's reason is posted on the chatter: the salesperson follows the
        quotation (as Odoo subscribes them when they are assigned), so that the reason reaches them
        by email or in Odoo as they prefer. A salesperson who follows it already keeps their choice."""
        for order in self.sudo():
            partner = order.user_id.partner_id
            if partner and not order.user_id.share and partner not in order.message_partner_ids:
                order.message_subscribe(partner_ids=partner.ids)

    def _on_portal_declined(self):
        """After the customer declined these quotations from the portal: when it happened; the business
        is notified (P6)."""
        self.sudo().write({'portal_declined_on': fields.Datetime.now()})
        self._notify_portal_quotation_answer('customer_portal.mt_portal_quotation_declined')

    # ------------------------------------------------------------
    # The customer's answer and views (P6, A6)
    # ------------------------------------------------------------

    def action_confirm(self):
        # EXTENDS sale: a quotation the customer accepts from the portal (signed, or paid online) is
        # portal activity (P6); a confirmation by the business is not.
        actor = self._get_portal_activity_actor()
        accepted_by_customer = actor._is_public() or actor.share
        quotations = self.filtered(lambda order: order.state in ('draft', 'sent'))
        result = super().action_confirm()
        if accepted_by_customer:
            quotations.filtered(lambda order: order.state == 'sale')._notify_portal_quotation_answer(
                'customer_portal.mt_portal_quotation_accepted'
            )
        return result

    def _notify_portal_quotation_answer(self, subtype_xmlid):
        accepted = subtype_xmlid == 'customer_portal.mt_portal_quotation_accepted'
        for order in self:
            order._notify_portal_activity(
                subtype_xmlid,
                lambda record, accepted=accepted: (
                    record.env._(
                        "%(name)s accepted the quotation %(document)s.",
                        name=record._get_portal_activity_author().name,
                        document=record.name,
                    )
                    if accepted
                    else record.env._(
                        "%(name)s declined the quotation %(document)s.",
                        name=record._get_portal_activity_author().name,
                        document=record.name,
                    )
                ),
            )

    def message_post(self, **kwargs):
        # EXTENDS sale: a quotation or order sent again after a change is a new version, its Viewed mark
        # starting over (A6). Before super(), which marks a draft sent (and so writes the order).
        if self.env.context.get('mark_so_as_sent'):
            self._portal_mark_sent()
        return super().message_post(**kwargs)
