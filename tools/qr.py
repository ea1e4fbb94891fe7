# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""QR codes as data: URIs, made on the server so that no secret goes to a third party."""

import base64
import io

import qrcode
import qrcode.image.svg


def qr_data_uri(data, image_format='svg'):
    """A data: URI of the QR code of ``data``, as an SVG (default) or PNG image."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    stream = io.BytesIO()
    if image_format == 'png':
        qr.make_image().save(stream, format='PNG')
        mimetype = 'image/png'
    elif image_format == 'svg':
        qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(stream)
        mimetype = 'image/svg+xml'
    else:
        raise ValueError(f"Unsupported QR image format: {image_format}")
    return f'data:{mimetype};base64,{base64.b64encode(stream.getvalue()).decode("ascii")}'
