# Makefile and autoconf projects (lua5.4, sqlite3): see CMakeLists.txt
