"""Taking a household's entries out (CSV, XLSX, TXT, PDF): empty until the export issue
fills it.
"""
