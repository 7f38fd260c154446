package io.facerec.launcher;

import io.facerec.common.id.MediaFileId;
import io.facerec.common.id.MediaItemId;
import io.facerec.common.image.MediaPathResolver;
import io.facerec.common.image.VideoFrames;
import io.facerec.common.persistence.MediaFileRepository;
import io.facerec.common.persistence.MediaItemRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Inserts a {@code MediaFile} and a {@code MediaItems} row for every image and video under a folder (as a library would). */
public class MediaImporter {
    public static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "jfif");

    private final MediaFileRepository files;
    private final MediaItemRepository items;
    private final MediaPathResolver paths;

    public MediaImporter(MediaFileRepository files, MediaItemRepository items, MediaPathResolver paths) {
        this.files = files;
        this.items = items;
        this.paths = paths;
    }

    /** Image files under a folder, sorted by path. */
    public static List<Path> scan(Path dir) throws IOException {
        return walk(dir, MediaImporter::isImage);
    }

    /** Image and video files under a folder (what a library imports), sorted by path. */
    public static List<Path> scanMedia(Path dir) throws IOException {
        return walk(dir, p -> isImage(p) || VideoFrames.isVideo(p.getFileName().toString()));
    }

    private static List<Path> walk(Path dir, Predicate<Path> wanted) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(wanted).sorted().toList();
        }
    }

    public static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Inserts rows for files not yet known; returns the new media item ids. */
    public List<MediaItemId> importFiles(List<Path> images) {
        List<MediaItemId> ids = new ArrayList<>();
        for (Path p : images) {
            String rel = paths.relativize(p);
            if (files.findByPath(rel).isPresent()) {
                continue;
            }
            String name = p.getFileName().toString();
            int dot = name.lastIndexOf('.');
            MediaFileId f = files.insert(rel, name, dot > 0 ? name.substring(dot) : "");
            ids.add(items.insert(f, name));
        }
        return ids;
    }
}
