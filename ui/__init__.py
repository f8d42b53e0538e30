"""What the pages share: texts in Dutch and English, the viewer and filters, cached queries, figures."""
