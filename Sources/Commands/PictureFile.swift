import Foundation
import MTMC

/// Writes `canvas` as a PNG into the plots folder and returns its path. The file name is made from
/// task, class and image names, so it passes through `safeFileName`: a name never puts a picture outside
/// the plots folder. The output sink hears of the picture (a notebook keeps a copy of it).
func writePicture(_ canvas: Canvas, named name: String, _ session: Session) throws -> String {
    let path = (session.resolve(session.settings.plotsFolder) as NSString).appendingPathComponent(safeFileName(name))
    try canvas.write(to: path)
    session.out.picture(path)
    return path
}
