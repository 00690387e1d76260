"""The only code that talks to Kaltura: client factory, local KS, typed errors."""
