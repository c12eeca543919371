"""Taking a household's entries out: the rows of a period under the dashboard table's
filters (entry_rows, streamed by (date, id) chunks), their columns in the reader's language
or plain for machines (columns), and the files — CSV streamed with formula neutralising
(csv_export), XLSX with real dates, currency formats and a totals sheet (xlsx_export), a
fixed-width TXT statement (txt_export) and PDF (pdf/). Totals come from
services/reports/totals, the one source of a period's figures.
"""
