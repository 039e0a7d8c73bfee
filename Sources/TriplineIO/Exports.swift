@_exported import TriplineCore
