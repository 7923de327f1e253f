"""Non-custodial supervision rules: the alert engine (``engine``), the risk code (``risk``) and the
planar geometry of fences (``geo``). Pure: numpy and shapely only."""
