package io.facerec.gallery.security;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;

/**
 * Prints the hash of a password for {@code facerec.gallery.security.users[n].password}: {@code {bcrypt}$2a$10$...}.
 * The password is read from the console without echo (or, when there is no console, one line of standard input), never
 * from the command line, where other accounts could read it. {@code facerec --hash-password}, or in the gallery image:
 * {@code java -cp @/app/jib-classpath-file io.facerec.gallery.security.PasswordHash}.
 */
public final class PasswordHash {
    private PasswordHash() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(System.console(), System.in, System.out, System.err));
    }

    /** @return the exit status */
    public static int run(Console console, InputStream in, PrintStream out, PrintStream err) throws IOException {
        char[] password;
        if (console != null) {
            password = console.readPassword("password: ");
            char[] again = console.readPassword("again: ");
            if (password == null || !Arrays.equals(password, again)) {
                err.println("the two passwords differ");
                return 2;
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length < 12) {
            err.println("a password needs at least 12 characters");
            return 2;
        }
        out.println(PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(new String(password)));
        Arrays.fill(password, '\0');
        return 0;
    }
}
