# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessDenied, UserError
from odoo.http import request

from odoo.addons.auth_totp.controllers import home
from odoo.addons.auth_totp.controllers.home import TRUSTED_DEVICE_COOKIE
from odoo.addons.portal.controllers import portal

from ..models.res_users import MFA_ENROLL_URL, MFA_TYPE_ENROLL
from ..tools import qr, totp

# The secret being enrolled stays in the (server-side) session until a code proves it was saved.
ENROLL_SESSION_KEY = 'customer_portal_mfa_enroll'
SECURITY_HEADERS = {
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'SAMEORIGIN',
    'Content-Security-Policy': "frame-ancestors 'self'",
}


class Home(home.Home):
    def _portal_mfa_pre_user(self):
        """The user who gave their password but not yet the second factor, if any."""
        if request.session.uid or not request.session.pre_uid:
            return None
        return request.env['res.users'].browse(request.session.pre_uid)

    def _portal_mfa_finalize(self):
        """Turn the half-signed-in session into a signed-in one (second factor done)."""
        request.session.finalize(request.env)
        request.update_env(user=request.session.uid)
        request.update_context(**request.session.context)

    def _portal_mfa_device_name(self):
        """Name of the trusted device being remembered, from what the request tells: stock
        names it from the parsed User-Agent and fails when the browser or system is unknown."""
        user_agent = request.httprequest.user_agent
        name = _(
            "%(browser)s on %(platform)s",
            browser=(user_agent.browser or '').capitalize() or _("Unknown browser"),
            platform=(user_agent.platform or '').capitalize() or _("an unknown system"),
        )
        if request.geoip.city.name:
            name += f" ({request.geoip.city.name}, {request.geoip.country_name})"
        return name

    def _portal_mfa_remember_device(self, user, response):
        """The user just passed the second factor and asked not to be asked again here."""
        trusted = user._portal_mfa_trust_device(self._portal_mfa_device_name())
        if trusted:
            key, lifetime = trusted
            response.set_cookie(
                key=TRUSTED_DEVICE_COOKIE,
                value=key,
                max_age=int(lifetime.total_seconds()),
                httponly=True,
                samesite='Lax',
            )
        return response

    @http.route()
    def web_totp(self, redirect=None, **kwargs):
        # EXTENDS auth_totp: users who must enroll are sent to enrollment; the code is checked
        # strictly (6 ASCII digits for TOTP, int() would take "+123456" or "123_456"); backup
        # codes are accepted too and count in the same failure counter. "Don't ask again on
        # this device" is handled here, not by stock: its device name fails (500) on a
        # User-Agent it cannot parse, and the lifetime follows the company's choice.
        user = self._portal_mfa_pre_user()
        remember = kwargs.pop('remember', None) if request.httprequest.method == 'POST' else None
        if user is not None:
            if user._mfa_type() == MFA_TYPE_ENROLL:
                return request.redirect(MFA_ENROLL_URL + ('?' + url_encode({'redirect': redirect}) if redirect else ''))
            # A POST without a code field is no attempt (auth_totp_mail_enforce's "Re-send email").
            if request.httprequest.method == 'POST' and 'totp_token' in kwargs:
                token = kwargs.get('totp_token')
                code = totp.normalize_code(token)
                if code:
                    kwargs['totp_token'] = code
                else:
                    try:
                        user._portal_mfa_check_code(token)
                    except AccessDenied as e:
                        return self._portal_mfa_render_totp_form(user, str(e), redirect)
                    self._portal_mfa_finalize()
                    response = request.redirect(self._login_redirect(request.session.uid, redirect=redirect))
                    return self._portal_mfa_remember_device(user, response) if remember else response
        response = super().web_totp(redirect=redirect, **kwargs)
        if user is not None and remember and request.session.uid == user.id:
            self._portal_mfa_remember_device(user, response)
        if user is not None and getattr(response, 'qcontext', None) is not None:
            response.qcontext.update(self._portal_mfa_totp_form_values(user))
        return response

    def _portal_mfa_totp_form_values(self, user):
        return {
            'portal_mfa_backup_codes': bool(user.sudo().portal_mfa_backup_code_count),
            'portal_mfa_no_remember': user._portal_mfa_device_lifetime() is None,
        }

    def _portal_mfa_render_totp_form(self, user, error, redirect):
        request.session.touch()
        return request.render(
            'auth_totp.auth_totp_form',
            {
                'user': user,
                'error': error,
                'redirect': redirect,
                **self._portal_mfa_totp_form_values(user),
            },
        )

    @http.route(
        MFA_ENROLL_URL,
        type='http',
        auth='public',
        methods=['GET', 'POST'],
        sitemap=False,
        website=True,
        multilang=False,
    )
    def portal_mfa_enroll(self, redirect=None, **kwargs):
        """M1: a portal user whose company enforces MFA sets up an authenticator app right after
        the password; the session is signed in only once a code proves it."""
        if request.session.uid:
            return request.redirect(self._login_redirect(request.session.uid, redirect=redirect))
        user = self._portal_mfa_pre_user()
        if user is None:
            return request.redirect('/web/login')
        if not user._portal_mfa_must_enroll():
            if user._mfa_url():
                return request.redirect(self._login_redirect(user.id, redirect=redirect))
            raise request.not_found()

        pending = request.session.get(ENROLL_SESSION_KEY)
        secret = pending.get('secret') if isinstance(pending, dict) and pending.get('uid') == user.id else None
        error = None
        if request.httprequest.method == 'POST' and secret:
            try:
                codes = user._portal_mfa_enroll(secret, kwargs.get('totp_token'))
            except AccessDenied as e:
                error = (
                    str(e)
                    if e.args != AccessDenied().args
                    else _("Verification failed, please double-check the 6-digit code.")
                )
            else:
                request.session.pop(ENROLL_SESSION_KEY, None)
                self._portal_mfa_finalize()
                return request.render(
                    'customer_portal.portal_mfa_enrolled',
                    {
                        'backup_codes': codes,
                        'continue_url': self._login_redirect(request.session.uid, redirect=redirect),
                    },
                    headers=SECURITY_HEADERS,
                )
        if not secret:
            secret = totp.generate_secret()
            request.session[ENROLL_SESSION_KEY] = {'uid': user.id, 'secret': secret}
        user_sudo = user.sudo()
        uri = totp.provisioning_uri(secret, user_sudo.login, user_sudo.company_id.name or '')
        request.session.touch()
        return request.render(
            'customer_portal.portal_mfa_enroll',
            {
                'user': user,
                'company': user_sudo.company_id,
                'qrcode': qr.qr_data_uri(uri),
                'secret': totp.format_secret(secret),
                'error': error,
                'redirect': redirect,
            },
            headers=SECURITY_HEADERS,
        )


class CustomerPortal(portal.CustomerPortal):
    @http.route(
        '/my/security/backup_codes', type='http', auth='user', methods=['GET', 'POST'], website=True, sitemap=False
    )
    def portal_mfa_backup_codes(self, password=None, **kwargs):
        """M2: new backup codes, after the password is entered again; the old ones stop working."""
        user = request.env.user
        if not user.totp_enabled:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({'page_name': 'security', 'backup_codes': None, 'error': None})
        if request.httprequest.method == 'POST':
            try:
                values['backup_codes'] = user._portal_mfa_regenerate_backup_codes(password)
            except AccessDenied as e:
                values['error'] = str(e) if e.args != AccessDenied().args else _("Wrong password.")
            except UserError as e:
                values['error'] = e.args[0]
        return request.render('customer_portal.portal_mfa_backup_codes', values, headers=SECURITY_HEADERS)
