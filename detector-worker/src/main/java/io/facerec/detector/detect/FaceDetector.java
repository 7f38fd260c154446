package io.facerec.detector.detect;

import io.facerec.common.geometry.DetectedFace;
import io.facerec.common.image.DecodedImage;
import java.util.List;

/** Finds faces in a decoded image. Thread-safe. */
public interface FaceDetector extends AutoCloseable {
    List<DetectedFace> detect(DecodedImage image, DetectionSettings settings);

    @Override
    void close();
}
