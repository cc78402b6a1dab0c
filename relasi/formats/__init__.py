"""Date and time formats for Relasi's two languages (FORMAT_MODULE_PATH).

Django's defaults give one page three shapes of the same date ("Dec. 3, 2026", "12/03/2026
6:53 p.m." and "3 Dec 2026" in English; "3 Des. 2026", "03-12-2026 18.53" in Indonesian), and the
American month-first order in English, which an Indonesian reader takes for day-first. Here the
long and short formats are the same day-month-year shape, so every date on a page reads alike,
and typed dates are read day first."""
