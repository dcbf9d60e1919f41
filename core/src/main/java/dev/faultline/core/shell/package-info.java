/**
 * What every {@code faultline:*} Gogo command shares, whichever bundle offers it.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.shell.Table}: rows under headers, printed as aligned columns or as JSON
 *       ({@code --json}) for scripts.</li>
 *   <li>{@link dev.faultline.core.shell.CommandArguments}: a command's arguments read against its usage line
 *       (flags, required and optional values, numbers in hex or decimal); a wrong or missing argument is a
 *       {@link dev.faultline.core.shell.UsageException} naming the command's usage.</li>
 *   <li>{@link dev.faultline.core.shell.ShellCommands}: the component property type declaring a component's
 *       commands ({@code osgi.command.scope}, {@code osgi.command.function}).</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.1,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.core.shell;
