//! Formatter: the canonical layout of a TICKscript, as Kapacitor's formatter prints it.
