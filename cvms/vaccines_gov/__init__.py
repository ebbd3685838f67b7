"""Vaccines.gov: what each location shows the public (display, phone, web addresses, hours, products
in stock and supply level) and the daily file written in the public dataset's columns."""
