# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The rows that point at a document by (res_model, res_id), such as its customer views and its recipients'
links: their number per document and the back office's list of them (the document's smart button)."""


def count_document_rows(Rows, documents):
    """{id of each of ``documents``: the number of ``Rows`` (a model with res_model, res_id) pointing at it}."""
    # sudo: a count for the document's smart button, shown to whoever reads the document.
    return dict(
        Rows.sudo()._read_group(
            [('res_model', '=', documents._name), ('res_id', 'in', [rid for rid in documents.ids if rid])],
            ['res_id'],
            ['__count'],
        )
    )


def document_rows_action(Rows, document, name, view_mode):
    """The window action listing the ``Rows`` that point at ``document``."""
    return {
        'type': 'ir.actions.act_window',
        'name': name,
        'res_model': Rows._name,
        'view_mode': view_mode,
        'domain': [('res_model', '=', document._name), ('res_id', '=', document.id)],
        'context': {'create': False},
    }
