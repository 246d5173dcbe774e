# CMake projects (zlib, cJSON, libyaml): see CMakeLists.txt
