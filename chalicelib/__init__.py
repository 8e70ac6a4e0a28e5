"""mashang (码上办): citizen requests from QR code to closed loop."""
