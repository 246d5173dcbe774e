# net_unix: host unit tests of the Network I issue
