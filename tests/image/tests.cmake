# SPDX-License-Identifier: LGPL-2.1-or-later
# Module image analysis: crafted images (cmocka) and the differential test against modinfo.
kmodaudit_unit_test(test-modimage ${CMAKE_CURRENT_LIST_DIR}/test-modimage.c)
kmodaudit_unit_test(test-utf8 ${CMAKE_CURRENT_LIST_DIR}/test-utf8.c)
kmodaudit_sys_test(image-modinfo-diff ${CMAKE_CURRENT_LIST_DIR}/modinfo-diff.sh 600)
kmodaudit_sys_test(image-inspect-cli ${CMAKE_CURRENT_LIST_DIR}/inspect-cli.sh 120)
kmodaudit_sys_test(image-sig-unchecked-record ${CMAKE_CURRENT_LIST_DIR}/sig-unchecked-record.sh 60)
kmodaudit_sys_test(image-sig-openssl-conf ${CMAKE_CURRENT_LIST_DIR}/sig-openssl-conf.sh 60)
