/**
 * Who may use the gallery: the zero-setup run's {@link AccessToken}, or configured accounts and OIDC sign-in with
 * viewer and editor roles ({@link GallerySecurityProperties}), and the protections on every request (CSRF, allowed
 * hosts, content security policy, body limits) set up by {@link GallerySecurityConfiguration}. {@link PasswordHash}
 * prints a password's hash for the settings.
 */
package io.facerec.gallery.security;
