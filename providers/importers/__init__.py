"""Import and export of whole directories: HSDS data packages and the flat spreadsheet."""
