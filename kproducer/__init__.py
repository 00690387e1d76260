"""kproducer: the Kaltura virtual-event producer's desktop tool."""

__version__ = "0.1.0"
