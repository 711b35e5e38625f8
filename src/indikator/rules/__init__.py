"""The cross-row rules, one module per export, as a table that ``load_dataset`` loops over.

Each ``check(rows)`` takes an export's parsed rows (``common.Rows``), reports new row errors
and warnings, and returns the accepted rows. deltagare comes first: the others are judged
against its accepted enrolments, and rows that fail only because an enrolment was rejected
are reported as its consequences (``causes``). ``consistency`` looks at the dataset as a
whole; ``copies`` warns of exact copies. A new rule goes into its export's module; a new
export gets a module and a line here.
"""

from . import aktiviteter, deltagare, matningar, organisation, remisser, uppfoljningar

RULES = {
    "deltagare": deltagare.check,
    "aktiviteter": aktiviteter.check,
    "matningar": matningar.check,
    "uppfoljningar": uppfoljningar.check,
    "remisser": remisser.check,
    "organisationsaktiviteter": organisation.check,
}
