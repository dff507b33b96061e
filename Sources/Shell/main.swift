import Engine
import Foundation

// Line editing, UTF-8 input and wide-character display need a UTF-8 character type, and only that:
// LC_ALL would also set LC_NUMERIC, and C formatting under a decimal-comma locale would change logs and JSON.
setlocale(LC_CTYPE, "")
if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
ProcessSetup.prepareOpenBLAS()
MTMCCommand.main()
