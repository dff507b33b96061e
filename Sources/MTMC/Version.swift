/// mtmc's version, as `mtmc --version` prints it and exports record it.
public let mtmcVersion = "0.1.0"
