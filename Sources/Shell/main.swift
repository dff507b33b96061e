import Engine
import Foundation

// Line editing, UTF-8 input and wide-character display need a UTF-8 locale.
setlocale(LC_ALL, "")
if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_ALL, "C.UTF-8") }
ProcessSetup.prepareOpenBLAS()
MTMCCommand.main()
