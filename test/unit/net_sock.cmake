# net_sock: host unit tests of the Network I issue
